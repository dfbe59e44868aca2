"""Release targets: department printers reachable as CUPS queues."""
