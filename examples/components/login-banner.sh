# The organization's login banner, shown before SSH and console logins.
cat > /etc/issue.net <<'BANNER'
Authorized use only. Activity on this system is monitored and recorded.
BANNER
cp /etc/issue.net /etc/issue
chmod 0644 /etc/issue /etc/issue.net
