"""The local twin's service manager: real processes on 127.0.0.1 standing in for AWS.

`local/twin.py` is the command line; each module here has one job (paths and settings, process
bookkeeping, one file per service, connector deployment).
"""
