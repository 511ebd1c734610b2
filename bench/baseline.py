"""The dispatcher's hand plan, for comparison: the technician free first drives to the
nearest order (soonest to start) they can still do in time (skills, window, shift, lunch),
until no order fits anyone."""
from routing.vrp import Route, Solution, Visit


def nearest_neighbour_plan(problem):
    seconds = problem.seconds
    routes = [Route(vehicle=v, departure=vehicle.shift_start) for v, vehicle in enumerate(problem.vehicles)]
    state = {v: (vehicle.shift_start, vehicle.start, False) for v, vehicle in enumerate(problem.vehicles)}
    open_jobs = set(range(len(problem.jobs)))
    active = set(state)
    while active and open_jobs:
        v = min(active, key=lambda k: state[k][0])
        vehicle, (now, here, lunched) = problem.vehicles[v], state[v]
        if vehicle.lunch and not lunched and now >= vehicle.lunch.earliest_start:
            routes[v].break_start = now
            state[v] = (now + vehicle.lunch.duration, here, True)
            continue
        best = None
        for j in open_jobs:
            job = problem.jobs[j]
            if not problem.can_serve(vehicle, job):
                continue
            start = max(now + int(seconds[here, job.location]), job.window_start)
            end = start + job.service
            lunch_pending = vehicle.lunch and not lunched
            if start > job.window_end or (lunch_pending and end > vehicle.lunch.latest_start):
                continue
            back = end + int(seconds[job.location, vehicle.end]) + (vehicle.lunch.duration if lunch_pending else 0)
            if back > vehicle.shift_end:
                continue
            # Nearest in time: driving plus waiting for the window, then driving alone.
            rank = (start - now, int(seconds[here, job.location]))
            if best is None or rank < best[2]:
                best = (j, start, rank)
        if best is None:
            if vehicle.lunch and not lunched:  # nothing fits before lunch: lunch first, then look again
                routes[v].break_start = max(now, vehicle.lunch.earliest_start)
                state[v] = (routes[v].break_start + vehicle.lunch.duration, here, True)
            else:
                active.discard(v)
            continue
        j, start, _rank = best
        job = problem.jobs[j]
        routes[v].visits.append(Visit(job=j, arrival=start, start=start, departure=start + job.service))
        open_jobs.discard(j)
        state[v] = (start + job.service, job.location, lunched)
    for v in active:
        vehicle, (now, _here, lunched) = problem.vehicles[v], state[v]
        if vehicle.lunch and not lunched:
            routes[v].break_start = max(now, vehicle.lunch.earliest_start)
    return Solution(routes=routes, unassigned={j: "baseline" for j in open_jobs})
