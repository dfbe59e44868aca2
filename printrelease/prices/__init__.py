"""Price lists: what an impression costs, by paper size, colour and duplex, from a date on."""
