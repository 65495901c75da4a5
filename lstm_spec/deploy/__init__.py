"""Deployed models: the catalog's models exported to LiteRT, ONNX and OpenVINO, and run by their runtimes."""
