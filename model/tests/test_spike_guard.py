"""adapt.SpikeGuard mirrors lookout.finetune.SpikeGuard (SpikeGuardTest): the same cases, the same answers."""
from lookout_model.adapt import SpikeGuard


def test_a_lone_hundredfold_spike_is_skipped_and_the_next_step_applied():
    g = SpikeGuard()
    assert all(g.accept(3 + (i % 4)) for i in range(40))
    assert not g.accept(1586)
    assert g.accept(4.5)
    assert g.skipped == 1


def test_a_large_loss_before_ten_steps_is_applied():
    g = SpikeGuard()
    for _ in range(SpikeGuard.MIN_HISTORY - 1):
        g.accept(1)
    assert g.accept(1000) and g.skipped == 0


def test_the_threshold_is_ten_times_the_recent_median():
    g = SpikeGuard()
    for _ in range(20):
        g.accept(2)
    assert g.accept(19.9)
    assert not g.accept(20.1)
