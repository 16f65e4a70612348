FROM alpine:3.20
ARG NAME=app
COPY missing.jar /app/
COPY nothing/*.jar /app/lib/
COPY ../outside.txt /app/
ADD missing.tar.gz /opt/
COPY ${NAME}.jar /app/
RUN --mount=type=bind,source=no-such-dir,target=/mnt true
