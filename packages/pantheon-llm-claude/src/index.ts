// This package is a skeleton: its API lands with the issue that builds it (see README.md).
export {};
