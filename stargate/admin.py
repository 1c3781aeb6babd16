from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from stargate.apikeys import SCOPES, api_key_create, api_key_revoke
from stargate.auth import ThrottledAdminLoginForm
from stargate.configaudit import config_changes_for
from stargate.models import ApiKey, ConfigChange

# Every password entry point goes through allauth's throttle: the admin's login form here, its
# password change by a redirect to allauth's (stargate.urls).
admin.site.login_form = ThrottledAdminLoginForm
admin.site.site_header = "StarGate administration"
admin.site.site_title = "StarGate admin"
admin.site.index_title = "Fleet, remediation and access"

_CREATED_KEY_ATTR = "_stargate_created_api_key"


class ApiKeyForm(forms.ModelForm[ApiKey]):
    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in SCOPES], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ["name", "owner", "scopes"]
        help_texts = {"owner": "The key acts as this user. Empty: you."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            self.fields["owner"].required = False


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    """Keys are created here and revoked, never edited or deleted.

    The token is shown once, in the body of the answer to the creation (never in a message: the
    messages travel in a cookie). A key acts as its creator; only a superuser picks another owner,
    so staff cannot mint a key that acts as a superuser.
    """

    form = ApiKeyForm
    list_display = ["name", "prefix", "owner", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiKey]:
        """Superusers see every key; other staff, their own."""
        keys = super().get_queryset(request)
        return keys if request.user.is_superuser else keys.filter(owner=request.user.pk)

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        fields = list(super().get_fields(request, obj))
        if obj is None and not request.user.is_superuser:
            fields.remove("owner")
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> Any:
        if obj is None:
            return []
        return ["name", "owner", "scopes", "prefix", "created_at", "last_used_at", "revoked_at"]

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        if change:
            return
        chosen = form.cleaned_data.get("owner") if request.user.is_superuser else None
        owner = cast(User, chosen or request.user)  # the admin's views require a login
        created = api_key_create(
            name=obj.name, owner=owner, scopes=list(form.cleaned_data["scopes"])
        )
        obj.pk = created.api_key.pk
        setattr(request, _CREATED_KEY_ATTR, created.token)

    def response_add(
        self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None
    ) -> HttpResponse:
        token = getattr(request, _CREATED_KEY_ATTR, None)
        if token is None:
            return super().response_add(request, obj, post_url_continue)
        obj.refresh_from_db()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "api_key": obj,
            "token": token,
            "title": "API key created",
        }
        response = TemplateResponse(request, "admin/stargate/apikey/created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            api_key_revoke(api_key=key)
        self.message_user(request, f"Revoked {queryset.count()} key(s).")


@admin.register(ConfigChange)
class ConfigChangeAdmin(admin.ModelAdmin[ConfigChange]):
    """Read-only: configuration changes are recorded by `stargate.configaudit`, never edited."""

    list_display = ["at", "actor", "source", "action", "model", "object_repr"]
    list_filter = ["model", "source", "action"]
    search_fields = ["actor", "object_repr", "object_id"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConfigChange]:
        """As on the configuration audit page: a team member reads their teams' changes."""
        return config_changes_for(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
