package lookout.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import ai.djl.Device;

class DeviceNameTest {
    @Test
    void shouldParseCpuAndGpuNames() {
        assertThat(DjlDetector.parseDevice("cpu")).isEqualTo(Device.cpu());
        assertThat(DjlDetector.parseDevice(" GPU ")).isEqualTo(Device.gpu(0));
        assertThat(DjlDetector.parseDevice("gpu:1")).isEqualTo(Device.gpu(1));
        assertThat(DjlDetector.deviceName(Device.gpu(2))).isEqualTo("gpu:2");
        assertThat(DjlDetector.deviceName(Device.cpu())).isEqualTo("cpu");
    }

    @Test
    void shouldRefuseUnknownDeviceNames() {
        assertThatThrownBy(() -> DjlDetector.parseDevice("tpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpu, gpu or gpu:N");
        assertThatThrownBy(() -> DjlDetector.parseDevice("gpu:x")).isInstanceOf(IllegalArgumentException.class);
    }
}
