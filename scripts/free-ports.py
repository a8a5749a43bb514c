#!/usr/bin/env python3
"""Prints N distinct TCP ports that are free now and lie below the kernel's ephemeral range, so no
outgoing connection (a Kafka client's, curl's) can take one between this check and its server's bind.
    scripts/free-ports.py N"""
import random
import socket
import sys


def ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("0.0.0.0", port))
            return True
        except OSError:
            return False


def free_ports(n, low=15000):
    high = ephemeral_low() - 1
    chosen = []
    for port in random.sample(range(low, high), high - low):
        if is_free(port):
            chosen.append(port)
            if len(chosen) == n:
                return chosen
    sys.exit(f"free-ports: fewer than {n} free ports in {low}-{high}")


if __name__ == "__main__":
    print(" ".join(map(str, free_ports(int(sys.argv[1]) if len(sys.argv) > 1 else 1))))
