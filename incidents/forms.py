from __future__ import annotations

from typing import Any

from django import forms

from incidents.models import Silence
from labs.models import Team
from labs.selectors import NOBODY, Audience, visible_clusters, visible_labs


class SilenceForm(forms.ModelForm[Silence]):
    class Meta:
        model = Silence
        fields = ["cluster", "lab", "team", "failure_class", "reason", "expires_at"]
        widgets = {"expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args: Any, audience: Audience = NOBODY, **kwargs: Any) -> None:
        """The choices are the clusters, catalog items and teams `audience` sees."""
        super().__init__(*args, **kwargs)
        self.audience = audience
        fields: Any = self.fields
        fields["cluster"].queryset = visible_clusters(audience).order_by("name")
        fields["lab"].queryset = visible_labs(audience).order_by("catalog_item")
        if not audience.everything:
            fields["team"].queryset = Team.objects.filter(pk__in=sorted(audience.team_ids))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f) for f in ("cluster", "lab", "team", "failure_class")):
            raise forms.ValidationError(
                "Silence a cluster, a catalog item, a team or a failure class."
            )
        if not self.audience.everything and not (data.get("lab") or data.get("team")):
            # A cluster or a class alone would silence other teams' labs too.
            raise forms.ValidationError("Silence one of your catalog items or teams.")
        return data
