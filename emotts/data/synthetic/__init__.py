"""A synthetic emotional corpus: RHVoice sentences turned emotional by published prosody rules.

``rules`` holds the one rule table, ``ssml`` renders what RHVoice can do itself (pitch level,
rate, volume, word accents), ``world_edit`` does the rest on the signal (F0 range, contour,
jitter/tremor, spectral tilt, breathiness, pauses), ``plan`` decides what each utterance is,
``duration`` estimates how long an utterance will be (so ``--hours`` becomes a count),
``generate`` renders a corpus and ``measure`` checks that the emotion is really in the audio.
"""
