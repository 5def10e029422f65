; coredns-gslb view as — www for AS; api weighted 90/10 by loadbalance
$ORIGIN example.net.
$TTL 60
@       IN SOA  ns1.example.net. hostmaster.example.net. 2026010101 7200 3600 1209600 60
@       IN NS   ns1.example.net.
ns1     IN A    127.0.0.1
mail    IN A    192.0.2.25
api     IN A    127.0.2.1
api     IN A    127.0.1.2
app     IN A    127.0.1.1
static  IN A    192.0.2.50
static  IN A    192.0.2.51
www     IN A    127.0.3.1
