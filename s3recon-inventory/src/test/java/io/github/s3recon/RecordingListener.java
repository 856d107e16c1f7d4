package io.github.s3recon;

import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationEvent;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.StateChanged;
import java.util.ArrayList;
import java.util.List;

/** Records every event in the order it arrives. */
final class RecordingListener implements MigrationListener {

    private final List<MigrationEvent> events = new ArrayList<>();

    @Override
    public synchronized void onStateChanged(StateChanged event) {
        events.add(event);
    }

    @Override
    public synchronized void onProgress(ProgressSnapshot event) {
        events.add(event);
    }

    @Override
    public synchronized void onDifference(DifferenceFound event) {
        events.add(event);
    }

    @Override
    public synchronized void onFinished(RunFinished event) {
        events.add(event);
    }

    synchronized List<MigrationEvent> events() {
        return List.copyOf(events);
    }

    /** The events as short strings, with runs of progress snapshots folded into one "progress". */
    synchronized List<String> timeline() {
        List<String> out = new ArrayList<>();
        for (MigrationEvent e : events) {
            String s;
            if (e instanceof StateChanged c) {
                s = "state " + c.to();
            } else if (e instanceof ProgressSnapshot p) {
                s = "progress " + p.phase();
            } else if (e instanceof DifferenceFound d) {
                s = d.difference().type() + " " + d.difference().key();
            } else {
                s = "finished " + ((RunFinished) e).state();
            }
            if (!(s.startsWith("progress") && !out.isEmpty() && out.get(out.size() - 1).equals(s))) {
                out.add(s);
            }
        }
        return out;
    }
}
