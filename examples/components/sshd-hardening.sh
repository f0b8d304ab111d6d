# Disable password and root logins over SSH; Session Manager is the way in.
conf=/etc/ssh/sshd_config.d/10-golden-ami.conf
install -d -m 0755 /etc/ssh/sshd_config.d
cat > "$conf" <<'CONF'
PasswordAuthentication no
PermitRootLogin no
X11Forwarding no
CONF
chmod 0600 "$conf"
sshd -t
