from __future__ import annotations

from django.urls import URLPattern, path

from rubrics_app import ai_views, attention_views, feedback_views, investigation_views, views

app_name = "rubrics"

urlpatterns: list[URLPattern] = [
    path("", views.rubric_list, name="rubric_list"),
    path("ai/", ai_views.ai_overview, name="ai_overview"),
    path("ai/attention/", attention_views.ai_attention, name="ai_attention"),
    path("ai/attention/switch/", attention_views.ai_attention_switch, name="ai_attention_switch"),
    path("ai/variants/", ai_views.ai_variants, name="ai_variants"),
    path("ai/ground-truth/", feedback_views.ai_ground_truth, name="ai_ground_truth"),
    path("ai/calls/<int:pk>/feedback/", ai_views.llm_feedback, name="llm_feedback"),
    path("verdicts/<int:pk>/feedback/", feedback_views.verdict_feedback, name="verdict_feedback"),
    path("proposals/", views.proposal_list, name="proposal_list"),
    path("proposals/<int:pk>/review/", views.proposal_review, name="proposal_review"),
    path("proposals/<int:pk>/promote/", views.proposal_promote, name="proposal_promote"),
    path("rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/replay/", views.rule_replay, name="rule_replay"),
    path("rules/<int:pk>/activate/", views.rule_activate, name="rule_activate"),
    path("labs/<int:pk>/investigate/", investigation_views.lab_investigate, name="lab_investigate"),
    path(
        "labs/<int:pk>/investigation/",
        investigation_views.lab_investigation,
        name="lab_investigation",
    ),
    path(
        "investigations/<int:pk>/",
        investigation_views.investigation_detail,
        name="investigation_detail",
    ),
]
