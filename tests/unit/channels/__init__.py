"""Unit tests of skailan.channels: pure, no sockets."""
