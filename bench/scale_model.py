#!/usr/bin/env python3
"""Fills docs/scale.md.in with the figures of one bench/kafka-bench.sh run and writes docs/scale.md.

    bench/kafka-bench.sh 2000,20000 5 | tee /tmp/kafka-bench.jsonl
    python3 bench/scale_model.py /tmp/kafka-bench.jsonl

Every figure in docs/scale.md is either a line of that run or arithmetic on it (below); nothing is typed in.
"""
import json
import math
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAYLOAD = 1316          # bytes per datagram in the bench
CAMERAS = 10_000
PER_CAMERA = 380        # datagrams/s of a 4 Mbit/s camera
GROUPS = 5              # consumer groups reading every camera
REPLICAS = 3
NIC_GBPS = 1.875        # GB/s each way of a 25 Gbit/s card at 60%
VM_CORES = 8 * 0.6      # an 8-core machine at 60% load


def main():
    runs = [json.loads(l) for l in pathlib.Path(sys.argv[1]).read_text().splitlines() if l.startswith("{")]
    by = {}
    for r in runs:
        key = r["run"]
        if key in ("many-cameras", "cpu"):
            key += ":" + r["outputs"]
        elif key == "through-kafka":
            key += ":" + str(r["rate"])
        by[key] = r
    sitting = by["sitting"]
    many_udp, many_kafka, many_both = by["many-cameras:udp"], by["many-cameras:kafka"], by["many-cameras:udp+kafka"]
    catch = by["catch-up"]
    t20, t2 = by["through-kafka:20000"], by["through-kafka:2000"]
    stored = many_kafka["stored_bytes_per_record"]
    ingest_stored = CAMERAS * PER_CAMERA * PAYLOAD / 1e9 * stored / PAYLOAD
    per_camera_ms = many_kafka["cpu_us_per_datagram"] * PER_CAMERA / 1000
    relay_cores = CAMERAS * per_camera_ms / 1000
    disk = ingest_stored * REPLICAS
    repl = ingest_stored * (REPLICAS - 1)
    egress = GROUPS * ingest_stored
    brokers = math.ceil((repl + egress) / NIC_GBPS)
    camera_hour = 4e6 / 8 * 3600 / 1e9 * stored / PAYLOAD
    consume_us = catch["cpu_us_per_datagram"]
    f = {
        "FIGURES_SITTING": f"{sitting['date']}, load average {sitting['load']} at the start",
        "FIG_MANY_UDP_CORES": f"{many_udp['cores']:.2f}", "FIG_MANY_UDP": f"{many_udp['cpu_us_per_datagram']:.1f}",
        "FIG_MANY_KAFKA_CORES": f"{many_kafka['cores']:.2f}",
        "FIG_MANY_KAFKA": f"{many_kafka['cpu_us_per_datagram']:.1f}",
        "FIG_MANY_BOTH_CORES": f"{many_both['cores']:.2f}", "FIG_MANY_BOTH": f"{many_both['cpu_us_per_datagram']:.1f}",
        "FIG_STORED": f"{stored:.0f}", "FIG_OVERHEAD": f"{(stored / PAYLOAD - 1) * 100:.1f}",
        "FIG_CATCHUP_RATE": f"{catch['datagrams_per_second']:,.0f}", "FIG_CATCHUP_US": f"{consume_us:.1f}",
        "FIG_CATCHUP_PER_CORE": f"{catch['datagrams_per_cpu_second']:,.0f}",
        "FIG_CATCHUP_HOUR": f"{PER_CAMERA * 3600 / catch['datagrams_per_second']:.0f}",
        "FIG_OUT20": f"{t20['kafka_output_cpu_us_per_datagram']:.1f}",
        "FIG_IN20": f"{t20['kafka_input_cpu_us_per_datagram']:.1f}",
        "FIG_OUT2": f"{t2['kafka_output_cpu_us_per_datagram']:.1f}",
        "FIG_IN2": f"{t2['kafka_input_cpu_us_per_datagram']:.1f}",
        "FIG_INGEST_STORED": f"{ingest_stored:.2f}",
        "FIG_PER_CAMERA_MS": f"{per_camera_ms:.1f}", "FIG_PER_CAMERA_PCT": f"{per_camera_ms / 10:.2f}",
        "FIG_CAMERAS_PER_CORE": f"{1000 / per_camera_ms:.0f}", "FIG_RELAY_CORES": f"{relay_cores:.0f}",
        "FIG_RELAY_VMS": f"{math.ceil(relay_cores / VM_CORES)}",
        "FIG_DISK_PER_BROKER": f"{disk / brokers:.2f}", "FIG_DISK": f"{disk:.1f}", "FIG_REPL": f"{repl:.1f}",
        "FIG_EGRESS": f"{egress:.1f}", "FIG_BROKER_OUT": f"{repl + egress:.1f}", "FIG_BROKERS": f"{brokers}",
        "FIG_CAMERA_HOUR": f"{camera_hour:.2f}",
        "FIG_RETENTION": f"{CAMERAS * camera_hour * REPLICAS / 1000:.0f}",
        "FIG_HIGHEST": f"{by['summary']['highest_lossless_rate']:,}",
        "FIG_CONSUME_PCT": f"{PER_CAMERA * consume_us / 1e4:.2f}",
        "FIG_CONSUME_CORES": f"{GROUPS * CAMERAS * PER_CAMERA * consume_us / 1e6:.0f}",
    }
    text = (ROOT / "docs/scale.md.in").read_text()
    # longest names first: FIG_MANY_UDP_CORES before FIG_MANY_UDP
    for name in sorted(f, key=len, reverse=True):
        text = text.replace(name, f[name])
    left = re.findall(r"FIG_[A-Z0-9_]+", text)
    if left:
        sys.exit(f"scale_model.py: no figure for {sorted(set(left))}")
    (ROOT / "docs/scale.md").write_text(text)
    print(f"wrote docs/scale.md from {sys.argv[1]}")


if __name__ == "__main__":
    main()
