"""Loopback simulators of the HTTP systems around the clusters (platform-contracts 6-14).

Each is a `ServiceServer` holding a JSON-like `data` dict generated from the simulated fleet;
`simulator.platform_services.start(fleet, data_dir)` starts them all.
"""
