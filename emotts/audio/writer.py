"""Writing audio files progressively and atomically.

Samples are appended to a temporary file next to the target as they are produced (so memory
does not grow with the length of the audio) and the file is renamed onto the target only
when everything was written: a failure (a full disk, an interrupted run) never leaves a
partial or truncated file under the user's name, and an existing file is only replaced by a
complete one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from types import TracebackType

import numpy as np
import soundfile as sf

from emotts.errors import AudioError

# Extensions the writer accepts, with the soundfile format of each.
SAVE_FORMATS: dict[str, str] = {".wav": "WAV", ".flac": "FLAC"}


def check_output_path(path: str | Path) -> Path:
    """Refuse, before any work is done, an output path that cannot be written.

    Raises:
        AudioError: unsupported extension, missing folder, a folder in the way, or a folder
            that is not writable.
    """
    path = Path(path)
    if path.suffix.lower() not in SAVE_FORMATS:
        raise AudioError(
            f"cannot save {str(path)!r}: extension {path.suffix!r} is not supported; "
            f"accepted: {', '.join(SAVE_FORMATS)}"
        )
    folder = path.parent
    if not folder.is_dir():
        raise AudioError(f"cannot save {str(path)!r}: folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise AudioError(f"cannot save {str(path)!r}: it is a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise AudioError(f"cannot save {str(path)!r}: folder {str(folder)!r} is not writable")
    return path


class AudioWriter:
    """Context manager that appends mono float samples to ``path`` (.wav 16-bit PCM or .flac).

    ``with AudioWriter(path, 22050) as out: out.write(samples)``; the file appears under
    ``path`` when the block exits without an exception, and not at all otherwise.
    """

    def __init__(self, path: str | Path, sample_rate: int) -> None:
        self.path = check_output_path(path)
        self.sample_rate = sample_rate
        self.frames = 0
        self._temp: Path | None = None
        self._file: sf.SoundFile | None = None

    def __enter__(self) -> AudioWriter:
        try:
            handle, name = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".partial", dir=self.path.parent
            )
            os.close(handle)
            self._temp = Path(name)
            self._file = sf.SoundFile(
                name,
                "w",
                samplerate=self.sample_rate,
                channels=1,
                format=SAVE_FORMATS[self.path.suffix.lower()],
                subtype="PCM_16",
            )
        except (OSError, sf.SoundFileError, RuntimeError) as error:
            self._discard()
            reason = getattr(error, "strerror", None) or error
            raise AudioError(
                f"cannot save {str(self.path)!r}: cannot create a file in "
                f"{str(self.path.parent)!r} ({reason})"
            ) from None
        return self

    def write(self, samples) -> None:
        """Append samples (T,), a numpy array or torch tensor; values beyond +-1 are clipped."""
        if hasattr(samples, "detach"):  # a torch tensor, without importing torch to check
            samples = samples.detach().cpu().numpy()
        samples = np.asarray(samples, dtype=np.float32)
        if samples.ndim != 1:
            raise AudioError(
                f"cannot save {str(self.path)!r}: expected mono samples of shape (T,), "
                f"got {samples.shape}"
            )
        if not np.all(np.isfinite(samples)):
            raise AudioError(
                f"cannot save {str(self.path)!r}: samples contain NaN or infinite values"
            )
        assert self._file is not None, "AudioWriter.write outside its with block"
        try:
            # 16-bit PCM cannot hold values beyond full scale; clip rather than wrap around.
            self._file.write(np.clip(samples, -1.0, 1.0))
        except (OSError, sf.SoundFileError, RuntimeError) as error:
            raise AudioError(
                f"cannot save {str(self.path)!r}: writing failed ({error}); is the disk full?"
            ) from None
        self.frames += len(samples)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            self._discard()
            return
        try:
            assert self._file is not None and self._temp is not None
            self._file.close()
            os.replace(self._temp, self.path)
        except (OSError, sf.SoundFileError, RuntimeError) as failure:
            self._discard()
            raise AudioError(
                f"cannot save {str(self.path)!r}: finishing the file failed ({failure}); "
                "is the disk full?"
            ) from None

    def _discard(self) -> None:
        if self._file is not None and not self._file.closed:
            # The file is being thrown away; the original error is what matters.
            with contextlib.suppress(OSError, sf.SoundFileError, RuntimeError):
                self._file.close()
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)


def write_text_atomically(path: str | Path, text: str) -> None:
    """Write a UTF-8 text file (timings, reports) under a temporary name, then rename it.

    Raises:
        AudioError: the file cannot be written (message names it).
    """
    from emotts.output_files import write_side_file

    write_side_file(path, text, "file")
