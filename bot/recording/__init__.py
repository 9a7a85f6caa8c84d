"""Recordings: sessions written to disk while the loop runs, and replayed without a screen."""

from bot.recording.format import FORMAT_VERSION, Event, Manifest
from bot.recording.reader import Recording, ReplaySource
from bot.recording.writer import RecordingWriter

__all__ = ["FORMAT_VERSION", "Event", "Manifest", "Recording", "RecordingWriter", "ReplaySource"]
