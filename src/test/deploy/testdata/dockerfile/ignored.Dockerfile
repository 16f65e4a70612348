FROM alpine:3.20
COPY secret.txt /etc/secret.txt
COPY app.jar /app/
