from __future__ import annotations

from django import forms

from labs.models import Cluster
from remediation.models import MaintenanceWindow


class PauseForm(forms.Form):
    """Turn the global switch (no cluster) or one cluster's switch on or off."""

    cluster = forms.ModelChoiceField(Cluster.objects.all(), required=False, to_field_name="name")
    paused = forms.TypedChoiceField(
        choices=[("on", "pause"), ("off", "resume")], coerce=lambda value: value == "on"
    )
    reason = forms.CharField(max_length=1000, required=False, strip=True)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
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
