from __future__ import annotations

from typing import Any

from django import forms

from labs.models import Cluster
from labs.selectors import NOBODY, Audience, visible_clusters
from remediation.models import MaintenanceWindow

GLOBAL_REFUSED = "Only platform operators switch the global pause (it stops every team's)."


class PauseForm(forms.Form):
    """Turn the global switch (no cluster) or one cluster's switch on or off."""

    cluster = forms.ModelChoiceField(Cluster.objects.all(), required=False, to_field_name="name")
    paused = forms.TypedChoiceField(
        choices=[("on", "pause"), ("off", "resume")], coerce=lambda value: value == "on"
    )
    reason = forms.CharField(max_length=1000, required=False, strip=True)

    def __init__(self, *args: Any, audience: Audience = NOBODY, **kwargs: Any) -> None:
        """A team member switches the clusters they see (`GLOBAL_REFUSED` for the rest)."""
        super().__init__(*args, **kwargs)
        self.audience = audience
        self.fields["cluster"].queryset = visible_clusters(audience)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("cluster") and not self.errors and not self.audience.everything:
            raise forms.ValidationError(GLOBAL_REFUSED)
        if data.get("paused") and not data.get("reason"):
            raise forms.ValidationError("Say why remediation is paused.")
        return data


class MaintenanceWindowForm(forms.ModelForm[MaintenanceWindow]):
    class Meta:
        model = MaintenanceWindow
        fields = ["cluster", "lab", "starts_at", "ends_at", "reason"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }
