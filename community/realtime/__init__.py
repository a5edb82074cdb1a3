"""Socket.IO on the same server: authenticated connections, rooms by policy, presence, and the emitter."""
