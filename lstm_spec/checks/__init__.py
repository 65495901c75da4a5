"""How the specs compare: assertion helpers, the NumPy oracle, the snapshot format and its syrupy
extension, and the layer-default collector.
"""
