"""The development certificate for https://localhost, made once and reused."""

from __future__ import annotations

from pathlib import Path

from werkzeug.serving import make_ssl_devcert


def development_certificate(folder: Path) -> tuple[str, str]:
    """Return (certificate, key) file paths for localhost in ``folder``, creating them on first use."""
    base = folder / "localhost"
    certificate, key = base.with_suffix(".crt"), base.with_suffix(".key")
    if not (certificate.exists() and key.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        make_ssl_devcert(str(base), host="localhost")
        key.chmod(0o600)
        print(
            f"Made a development certificate for localhost: {certificate}\n"
            "Trust it once so Office loads the add-in (see README.md, 'Trust the development certificate')."
        )
    return str(certificate), str(key)
