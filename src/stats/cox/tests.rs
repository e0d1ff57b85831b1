//! Unit tests of the Cox fit on small cases worked out by hand.
