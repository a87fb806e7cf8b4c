"""Batches: one template and its shared data, generated once per freelancer, each item an ordinary document."""
