"""Words -> IPA with espeak-ng through the ``phonemizer`` package.

The espeak-ng library and its data come from the ``espeakng-loader`` wheel, so no system
package is needed. Each word is sent as its own utterance (one list element each) in a single
backend call: phonemizing a whole sentence lets espeak-ng merge neighbouring words ("I am" ->
"aɪɐm"), which would make word boundaries, and so word timings, wrong.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
import threading

from emotts.errors import TextError

# Shown in error messages so users can find what ``language`` accepts.
LANGUAGE_HINT = (
    "call emotts.text.Phonemizer.available_languages() for the accepted espeak-ng voices "
    "(e.g. 'en-us', 'en-gb', 'de', 'fr-fr', 'es')"
)

_setup_lock = threading.Lock()


def _configure_espeak() -> None:
    """Point phonemizer at the espeak-ng shipped by espeakng-loader (idempotent)."""
    import espeakng_loader
    from phonemizer.backend.espeak.wrapper import EspeakWrapper

    with _setup_lock:
        EspeakWrapper.set_library(espeakng_loader.get_library_path())
        EspeakWrapper.set_data_path(espeakng_loader.get_data_path())


@functools.cache
def _supported_languages() -> dict[str, str]:
    _configure_espeak()
    from phonemizer.backend import EspeakBackend

    return dict(EspeakBackend.supported_languages())


class _Backend:
    """One espeak-ng backend and the lock that serializes calls into it.

    espeak-ng keeps global state, so concurrent calls on one backend are not safe.
    """

    def __init__(self, language: str) -> None:
        from phonemizer.backend import EspeakBackend
        from phonemizer.separator import Separator

        quiet = logging.getLogger("emotts.text.phonemizer")
        quiet.addHandler(logging.NullHandler())
        quiet.propagate = False
        # keep-flags: the language-switch markers tell the frontend which words espeak could
        # only read by switching to another language; they are removed from the output here.
        self.backend = EspeakBackend(
            language,
            preserve_punctuation=True,
            with_stress=True,
            language_switch="keep-flags",
            logger=quiet,
        )
        self.separator = Separator(phone="", syllable="", word=" ")
        self.lock = threading.Lock()


@functools.cache
def _backend(language: str) -> _Backend:
    # Creating a backend loads the library and the voice; reuse one per language.
    return _Backend(language)


# espeak-ng marks a switch to another voice as "(en)", "(el)", ... around the switched words.
# Frontend words never start or end with parentheses (punctuation is split off before
# phonemizing), so text parentheses cannot be mistaken for a marker there.
_FLAG = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)*\)")


class Phonemizer:
    """espeak-ng phonemizer for one language (an espeak-ng voice name such as ``en-us``).

    Output keeps primary/secondary stress (ˈ ˌ) and punctuation. Unknown languages raise
    :class:`TextError`.
    """

    def __init__(self, language: str = "en-us") -> None:
        supported = _supported_languages()
        if language not in supported:
            close = difflib.get_close_matches(language, list(supported), n=3)
            suggestion = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
            raise TextError(
                f"unknown language {language!r} for espeak-ng{suggestion}; {LANGUAGE_HINT}"
            )
        self._language = language
        self._backend = _backend(language)

    @property
    def language(self) -> str:
        return self._language

    @staticmethod
    def available_languages() -> list[str]:
        """The espeak-ng voice names accepted as ``language``."""
        return sorted(_supported_languages())

    def phonemize_words(self, words: list[str]) -> list[str]:
        """One IPA string per word, in order (a word may itself contain spaces)."""
        return [phonemes for phonemes, _ in self.phonemize_words_flagged(words)]

    def phonemize_words_flagged(self, words: list[str]) -> list[tuple[str, bool]]:
        """Like :meth:`phonemize_words`, plus whether espeak-ng had to switch to another
        language to read the word (a sign the word is in a script the voice cannot read).
        """
        if not words:
            return []
        lines = []
        for index, word in enumerate(words):
            # phonemizer splits its input into lines and silently drops empty ones, which
            # would shift every later word onto the wrong phonemes.
            line = " ".join(word.split())
            if not line:
                raise TextError(f"word {index} is empty; every word needs at least one character")
            lines.append(line)
        with self._backend.lock:
            raw = self._backend.backend.phonemize(
                lines, separator=self._backend.separator, strip=True, njobs=1
            )
        if len(raw) != len(lines):
            raise TextError(
                f"espeak-ng returned {len(raw)} results for {len(lines)} words; "
                f"the words were {lines!r}"
            )
        results = []
        for phonemes in raw:
            cleaned = _FLAG.sub("", phonemes)
            results.append((" ".join(cleaned.split()), cleaned != phonemes))
        return results
