ARG TAG
FROM alpine:${TAG}
FROM busybox:${NOT_DECLARED:-1.36}
