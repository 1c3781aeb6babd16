from __future__ import annotations

from django.urls import path

from dashboard import views

# The URL names keep the `labs` namespace they had before the dashboard app: models
# (`get_absolute_url`) and every template reverse them by these names.
app_name = "labs"

urlpatterns = [
    path("", views.fleet_overview, name="fleet_overview"),
    path("labs/", views.lab_list, name="lab_list"),
    path("labs/<int:pk>/", views.lab_instance_detail, name="lab_instance_detail"),
    path("clusters/<str:name>/", views.cluster_detail, name="cluster_detail"),
    path("classes/<str:code>/", views.failure_class_detail, name="failure_class_detail"),
]
