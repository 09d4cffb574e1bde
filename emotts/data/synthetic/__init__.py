"""A synthetic emotional corpus: RHVoice sentences turned emotional by published prosody rules.

``rules`` holds the one rule table, ``ssml`` renders what RHVoice can do itself (pitch level,
rate, volume, word accents), ``world_edit`` does the rest on the signal (F0 range, contour,
jitter/tremor, spectral tilt, breathiness, pauses), ``plan`` decides what each utterance is,
``generate`` renders a corpus and ``measure`` checks that the emotion is really in the audio.
"""
