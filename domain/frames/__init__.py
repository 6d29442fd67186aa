"""Frames: uploaded FITS images, their stored objects and their pipeline state."""
