from __future__ import annotations

from typing import Any

from django import forms

from incidents.models import Silence


class SilenceForm(forms.ModelForm[Silence]):
    class Meta:
        model = Silence
        fields = ["cluster", "lab", "team", "failure_class", "reason", "expires_at"]
        widgets = {"expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f) for f in ("cluster", "lab", "team", "failure_class")):
            raise forms.ValidationError(
                "Silence a cluster, a catalog item, a team or a failure class."
            )
        return data
