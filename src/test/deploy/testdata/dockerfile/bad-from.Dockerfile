FROM alpine:3.20 AS base
COPY --from=later /x /x
COPY --from=nosuchstage /y /y
COPY --from=0 /z /z
RUN --mount=type=bind,from=missing,target=/mnt true

FROM alpine:3.20 AS later
COPY --from=base /etc/hostname /h
COPY --from=2 /etc/hostname /h2
