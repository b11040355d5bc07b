// DataVet front-end behaviour (no inline scripts: the CSP forbids them).
