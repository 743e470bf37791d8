"""`runconform drift`: what a vendor really sends, over a whole corpus, in bounded memory.

`drift_of(paths)` counts, per object, the undocumented properties, enum values, nulls,
format breaks and absent required fields its records show (`profile.py`), and
`propose_errata(report)` turns them into errata for a person to review (`propose.py`).
"""
