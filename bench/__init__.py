"""Benchmarks: the `bench_*` commands, each in a throwaway database (`db`), and the route
optimiser's yardsticks (Solomon VRPTW instances in `vrptw`, the demo city's day in
`scenario`, the dispatcher's nearest-neighbour plan in `baseline`, the runs in `routing`)."""
