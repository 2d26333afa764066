"""The Mermaid library the site draws its diagrams with: one pinned release from the npm registry, checked
against its published integrity hash and kept beside the Python environment, so the built site never loads
a script from the network.

``python -m policeonto.docs.mermaid`` fetches it once (``make docs`` does this).
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

from policeonto.errors import BuildError
from policeonto.output import atomic_output

__all__ = ["INTEGRITY", "URL", "VERSION", "default_path", "fetch"]

VERSION = "11.17.2"
URL = f"https://registry.npmjs.org/mermaid/-/mermaid-{VERSION}.tgz"
#: The registry's Subresource Integrity hash of the package tarball.
INTEGRITY = "sha512-V6K3C8EBdEsPFZXSKMJe6ppQOENxuHARr9GvHX4hh47lAbhMRD9qf4oEK7LoaRQxULMa80/qt5gHO73aCleBBg=="
_MEMBER = "package/dist/mermaid.min.js"


def default_path() -> Path:
    """Where the fetched script is kept: under the running Python environment's ``share/policeonto``."""
    return Path(sys.prefix) / "share" / "policeonto" / f"mermaid-{VERSION}.min.js"


def fetch(target: Path | None = None, *, timeout: float = 60.0) -> Path:
    """Download the pinned Mermaid release to *target* (default: :func:`default_path`) unless it is there.

    Raises:
        BuildError: the download failed or the tarball does not match :data:`INTEGRITY`.
    """
    target = target or default_path()
    if target.is_file():
        return target
    try:
        with urllib.request.urlopen(URL, timeout=timeout) as response:
            tarball = response.read()
    except OSError as exc:
        raise BuildError(f"could not download Mermaid {VERSION} from {URL}: {exc}") from exc
    algorithm, _, expected = INTEGRITY.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if digest != expected:
        raise BuildError(f"{URL}: integrity check failed ({algorithm} {digest}, expected {expected})")
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(_MEMBER)
        if member is None:
            raise BuildError(f"{URL}: no {_MEMBER} in the package")
        with atomic_output(target) as sink:
            sink.write(member.read())
    return target


if __name__ == "__main__":
    print(fetch(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
