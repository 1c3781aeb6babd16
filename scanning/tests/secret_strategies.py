"""Hypothesis strategies: secrets in the shapes cluster messages carry them, and harmless text.

Each strategy draws `(embedded, secret)`: the text as it would appear inside a message, and the
part of it that must never be stored or shown.
"""

from __future__ import annotations

import base64
import json
import string

from hypothesis import strategies as st

ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
B64URL = ALNUM + "-_"
# What a password may hold besides letters and digits, quotes and spaces excepted.
PUNCTUATION = "/+=_.~!@#$%^*()-,;&:?[]{}|<>"
KEYWORDS = ("password", "passwd", "secret", "token", "key", "credential", "auth")
Embedded = tuple[str, str]

words = st.sampled_from(
    [
        "failed",
        "to",
        "start",
        "container",
        "Back-off",
        "restarting",
        "pod",
        "error:",
        "exited",
        "with",
        "code",
        "1",
        "in",
        "namespace",
        "image",
        "pulled",
        "readiness",
        "probe",
        "Warning",
        "FailedMount",
        "the",
        "was",
        "not",
        "found",
    ]
)
sentence = st.lists(words, max_size=6).map(" ".join)


def _secret(alphabet: str, min_size: int = 8) -> st.SearchStrategy[str]:
    # A fixed head keeps generated secrets from matching unrelated stored text by chance.
    return st.text(alphabet, min_size=min_size, max_size=40).map(lambda s: "Zq9" + s)


@st.composite
def secret_names(draw: st.DrawFn) -> str:
    keyword = draw(st.sampled_from(KEYWORDS))
    cased = "".join(draw(st.sampled_from((ch.lower(), ch.upper()))) for ch in keyword)  # any case
    affix = st.text(UPPER_ALNUM + "_", max_size=8)
    return draw(affix).lstrip(string.digits) + cased + draw(affix)


@st.composite
def assignments(draw: st.DrawFn) -> Embedded:
    """NAME=value, NAME: value, quoted or JSON-style, with any punctuation in the value."""
    name = draw(secret_names())
    value = draw(_secret(ALNUM + PUNCTUATION))
    spaced = draw(_secret(ALNUM + " ")).strip() or "Zq9"
    shape = draw(st.sampled_from(range(7)))
    embedded, secret = [
        (f"{name}={value}", value),
        (f"{name}: {value}", value),
        (f'{name}="{spaced}"', spaced),
        (f"{name}='{spaced}'", spaced),
        (f'"{name}": "{spaced}"', spaced),
        (f'{{\\"{name}\\":\\"{value}\\"}}', value),
        (f"export {name}={value}", value),
    ][shape]
    return embedded, secret


@st.composite
def url_credentials(draw: st.DrawFn) -> Embedded:
    scheme = draw(st.sampled_from(("https", "http", "postgres", "redis", "git+ssh", "s3")))
    user = draw(st.text(ALNUM + "._-", min_size=1, max_size=12))
    password = draw(_secret(ALNUM + "._~-%!$&'()*+,;="))
    return f"{scheme}://{user}:{password}@host.example.com:5432/db", password


@st.composite
def authorization_headers(draw: st.DrawFn) -> Embedded:
    token = draw(_secret(ALNUM + "._~+/-")) + draw(st.sampled_from(("", "=", "==")))
    scheme = draw(st.sampled_from(("Bearer", "bearer", "Basic", "BASIC")))
    prefix = draw(st.sampled_from(("", "Authorization: ", "authorization=")))
    return f"{prefix}{scheme} {token}", token


def _b64url(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


@st.composite
def jwts(draw: st.DrawFn) -> Embedded:
    header = {"alg": draw(st.sampled_from(("RS256", "HS256", "none"))), "typ": "JWT"}
    claims = {"sub": draw(st.text(ALNUM, min_size=1, max_size=20)), "iat": draw(st.integers(0))}
    signature = draw(st.binary(min_size=0, max_size=64))
    token = ".".join(_b64url(json.dumps(part).encode()) for part in (header, claims))
    token += "." + _b64url(signature)
    return token, token


@st.composite
def pem_blocks(draw: st.DrawFn) -> Embedded:
    label = draw(
        st.sampled_from(("RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "CERTIFICATE"))
    )
    body = draw(st.binary(min_size=24, max_size=200))
    lines = base64.b64encode(body).decode()
    folded = "\n".join(lines[i : i + 64] for i in range(0, len(lines), 64))
    block = f"-----BEGIN {label}-----\n{folded}\n-----END {label}-----"
    return block, lines[:32]


@st.composite
def token_shapes(draw: st.DrawFn) -> Embedded:
    """Well-known token formats, found without any name in front of them."""
    shape = draw(st.sampled_from(range(5)))
    if shape == 0:
        prefix = draw(st.sampled_from(("ghp_", "gho_", "ghu_", "ghs_", "ghr_")))
        token = prefix + draw(st.text(ALNUM, min_size=36, max_size=36))
    elif shape == 1:
        tail = draw(st.text(ALNUM, min_size=22, max_size=22))
        token = f"github_pat_{tail}_" + draw(st.text(ALNUM, min_size=59, max_size=59))
    elif shape == 2:
        prefix = draw(st.sampled_from(("AKIA", "ASIA")))
        token = prefix + draw(st.text(UPPER_ALNUM, min_size=16, max_size=16))
    elif shape == 3:
        kind = draw(st.sampled_from("bpaors"))
        parts = [draw(st.text(string.digits, min_size=10, max_size=13)) for _ in range(2)]
        token = f"xox{kind}-{parts[0]}-{parts[1]}-" + draw(st.text(ALNUM, min_size=24, max_size=32))
    else:
        token = "glpat-" + draw(st.text(ALNUM + "_-", min_size=20, max_size=20))
    return token, token


any_secret = st.one_of(
    assignments(), url_credentials(), authorization_headers(), jwts(), pem_blocks(), token_shapes()
)


@st.composite
def messages_with_secret(draw: st.DrawFn) -> Embedded:
    embedded, secret = draw(any_secret)
    return f"{draw(sentence)} {embedded} {draw(sentence)}".strip(), secret
