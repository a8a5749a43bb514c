"""CenterNet MobileNetV3 backbone port (work in progress)."""


def build_backbone(centernet_dir):
    raise NotImplementedError("centernet port not implemented yet")
