"""The sandbox cloud: a local, Azure-compatible ARM emulator that real clients use unmodified."""
