"""Lookout model toolchain: pure-aten ops, Faster R-CNN builders, CenterNet port, export."""
