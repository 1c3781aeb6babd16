"""Each redaction rule with its exact output: what is masked, what is kept around it, and what
is left alone. Written from the mutants that survived the first mutation run (README "Mutation
testing"); pure and fast, in both run modes."""

from __future__ import annotations

from collections import OrderedDict

import pytest

from stargate.lib.redact import (
    REDACTED,
    redact,
    redact_entry,
    redact_text,
    redact_under,
    redact_url,
)

pytestmark = pytest.mark.smoke
R = REDACTED
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----"

TEXTS = [
    ("pwd=abcd", f"pwd={R}"),  # 8 characters: checked
    ("pwd=abc", "pwd=abc"),  # 7: too short to hold a secret
    ("login failed password=abc123 for user", f"login failed password={R} for user"),
    ('env: DB_PASSWORD="hunter2 x" next', f'env: DB_PASSWORD="{R}" next'),
    ("token: 'abc 123' end", f"token: '{R}' end"),
    ('{\\"api_key\\": \\"abc123\\"}', f'{{\\"api_key\\": \\"{R}\\"}}'),
    ('cut short: secret="abcdef', f'cut short: secret="{R}'),
    ("Authorization: Bearer abcdefgh12345", f"Authorization: Bearer {R}"),
    ("sent Bearer abcdefgh12345 to api", f"sent Bearer {R} to api"),
    ("api-key: abcdef", f"api-key: {R}"),
    ("api-key:abcdef", "api-key:abcdef"),  # `name:tag`: an image reference
    ("client_secret:abcdef12", f"client_secret:{R}"),
    ("pull monkey-key:1.0 now", "pull monkey-key:1.0 now"),
    ("monkey=bananas1", "monkey=bananas1"),
    ("image quay.io/org/keycloak-token:1.0 pulled", "image quay.io/org/keycloak-token:1.0 pulled"),
    ("/token=abcdefgh", "/token=abcdefgh"),
    ("token=abcdefgh/", f"token={R}"),
    ("Unauthorized: the server said no", "Unauthorized: the server said no"),
    (f"key file {PEM} loaded", f"key file -----BEGIN RSA PRIVATE KEY-----{R} loaded"),
    ("pull https://user:pw@registry.example.com/x", f"pull https://{R}@registry.example.com/x"),
    ("jwt eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl here", f"jwt {R} here"),
    ("aws AKIAABCDEFGHIJKLMNOP here", f"aws {R} here"),
    ("Back-off restarting failed container", "Back-off restarting failed container"),
]


@pytest.mark.parametrize(("text", "expected"), TEXTS)
def test_it_masks_free_text_exactly(text: str, expected: str) -> None:
    assert redact_text(text) == expected


URLS = [
    ("redis://user:pw@redis:6379/0", f"redis://{R}@redis:6379/0"),
    ("user:pw@redis:6379", f"{R}@redis:6379"),
    ("redis://u:p@ss@redis:6379", f"redis://{R}@redis:6379"),
    ("proxy://a://u:pw@h", f"proxy://a://{R}@h"),
    ("redis://redis:6379/0", "redis://redis:6379/0"),
    ("redis://redis:6379/0?password=abcdef", f"redis://redis:6379/0?password={R}"),
]


@pytest.mark.parametrize(("url", "expected"), URLS)
def test_it_masks_a_url_s_credentials_exactly(url: str, expected: str) -> None:
    assert redact_url(url) == expected


OBJECT = {
    "metadata": {
        "name": "web-1",
        "annotations": {
            "example.com/config": "anything at all",
            "openshift.io/display-name": "lab with password=abcdefgh",
        },
    },
    "spec": {
        "replicas": 3,
        "paused": False,
        "ratio": 0.5,
        "node": None,
        "empty": {},
        "credentials": {"user": "bob"},
        "token": "abcdefgh",
        "short": "ok",
        "note": "DB_PASSWORD=abcdefgh",
        "items": [{"password": "abcdefgh"}, "token=abcdefgh1"],
        "containers": [
            {
                "name": "app",
                "image": "quay.io/org/app:1.0",
                "args": [],
                "command": ["run", "--password", "x"],
                "env": [{"name": "X", "value": "v"}, {"value": "w"}, "junk"],
                "ports": [{"containerPort": 8080}],
            },
            "junk container",
        ],
    },
}
REDACTED_OBJECT = {
    "metadata": {
        "name": "web-1",
        "annotations": {
            "example.com/config": R,
            "openshift.io/display-name": f"lab with password={R}",
        },
    },
    "spec": {
        "replicas": 3,
        "paused": False,
        "ratio": 0.5,
        "node": None,
        "empty": {},
        "credentials": R,
        "token": R,
        "short": "ok",
        "note": f"DB_PASSWORD={R}",
        "items": [{"password": R}, f"token={R}"],
        "containers": [
            {
                "name": "app",
                "image": "quay.io/org/app:1.0",
                "args": [],
                "command": [R],
                "env": [{"name": "X", "value": R}, {"name": "", "value": R}, R],
                "ports": [{"containerPort": 8080}],
            },
            "junk container",
        ],
    },
}


def test_it_redacts_an_object_exactly() -> None:
    assert redact(OBJECT) == REDACTED_OBJECT


def test_it_redacts_a_mapping_that_is_not_a_plain_dict_by_the_same_rules() -> None:
    ordered = OrderedDict(
        [("spec", OrderedDict(OBJECT["spec"])), ("metadata", OrderedDict(OBJECT["metadata"]))]
    )
    assert redact(ordered) == {
        "spec": REDACTED_OBJECT["spec"],
        "metadata": REDACTED_OBJECT["metadata"],
    }
    assert redact(OrderedDict(replicas=3, ok=True, x=None, token="", note="secret=abcdefgh")) == {
        "replicas": 3,
        "ok": True,
        "x": None,
        "token": "",
        "note": f"secret={R}",
    }


@pytest.mark.parametrize(
    ("key", "item", "expected"),
    [
        ("token", "", ""),
        ("token", "abc", R),
        ("note", "short", "short"),
        ("note", "secret=abcdefgh", f"secret={R}"),
        (
            "annotations",
            {"a": "b", "kubectl.kubernetes.io/restartedAt": "2026-01-01"},
            {"a": R, "kubectl.kubernetes.io/restartedAt": "2026-01-01"},
        ),
        ("credentials", {"user": "bob"}, R),
        ("credentials", {}, {}),
        ("spec", {"token": "abcdefgh", "n": 1}, {"token": R, "n": 1}),
        ("replicas", 3, 3),
        ("ready", True, True),
        ("ratio", 0.5, 0.5),
        ("node", None, None),
        ("items", ["token=abcdefgh1", {"password": "x"}], [f"token={R}", {"password": R}]),
        ("secrets", ["a"], R),
        ("containers", [{"name": "a", "args": ["x"]}], [{"name": "a", "args": [R]}]),
    ],
)
def test_it_redacts_one_field_by_its_name(key: str, item: object, expected: object) -> None:
    assert redact_entry(key, item) == expected


def test_it_redacts_a_value_by_the_field_it_was_found_under() -> None:
    containers = [{"name": "a", "env": [{"name": "X", "value": "v"}], "command": ["sh"]}]
    assert redact_under(containers, "containers") == [
        {"name": "a", "env": [{"name": "X", "value": R}], "command": [R]}
    ]
    assert redact_under(["token=abcdefgh1", 3], "items") == [f"token={R}", 3]
