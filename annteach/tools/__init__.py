"""Course tools: building, presenting and handing out the lectures (not imported by annteach)."""
