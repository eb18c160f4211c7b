"""delta.sdp."""
