#!/usr/bin/perl
# An SMSC built on Perl's Net::SMPP (Debian libnet-smpp-perl), an SMPP implementation that
# shares nothing with Tocsin. It answers binds, submit_sm (with a message id), enquire_link and
# unbind, sends a delivery receipt when one is asked for, and prints what it receives as JSON
# lines. The first line is {"event":"listening","port":N}.
use strict;
use warnings;
use Net::SMPP;

$| = 1;
my $listener = Net::SMPP->new_listen('127.0.0.1', port => 0, smpp_version => 0x34)
  or die "cannot listen: $!";
printf "{\"event\":\"listening\",\"port\":%d}\n", $listener->sockport;

sub json_string {
  my ($s) = @_;
  $s =~ s/(["\\])/\\$1/g;
  $s =~ s/([\x00-\x1f])/sprintf("\\u%04x", ord($1))/ge;
  return "\"$s\"";
}

my $next_id = 70000;
while (my $smpp = $listener->accept()) {
  while (my $pdu = $smpp->read_pdu()) {
    my $cmd = $pdu->{cmd};
    if ($cmd == 0x00000009 || $cmd == 0x00000002 || $cmd == 0x00000001) {
      my $resp = $cmd == 0x00000009 ? 'bind_transceiver_resp' : $cmd == 0x00000002 ? 'bind_transmitter_resp' : 'bind_receiver_resp';
      $smpp->$resp(seq => $pdu->{seq}, system_id => 'PERLSMSC');
      print "{\"event\":\"bind\",\"system_id\":", json_string($pdu->{system_id}), "}\n";
    } elsif ($cmd == 0x00000004) {
      my $id = ++$next_id;
      $smpp->submit_sm_resp(seq => $pdu->{seq}, message_id => "$id");
      printf "{\"event\":\"submit_sm\",\"message_id\":\"%d\",\"from\":%s,\"to\":%s,\"data_coding\":%d,\"priority\":%d,\"registered_delivery\":%d,\"short_message_hex\":\"%s\"}\n",
        $id, json_string($pdu->{source_addr}), json_string($pdu->{destination_addr}), $pdu->{data_coding},
        $pdu->{priority_flag}, $pdu->{registered_delivery}, unpack('H*', $pdu->{short_message});
      if ($pdu->{registered_delivery} & 1) {
        $smpp->deliver_sm(
          source_addr_ton => 1, source_addr_npi => 1, source_addr => $pdu->{destination_addr},
          dest_addr_ton => $pdu->{source_addr_ton}, dest_addr_npi => $pdu->{source_addr_npi},
          destination_addr => $pdu->{source_addr}, esm_class => 0x04,
          short_message => sprintf("id:%010d sub:001 dlvrd:001 submit date:2611221200 done date:2611221201 stat:DELIVRD err:000 text:", $id),
          async => 1);
      }
    } elsif ($cmd == 0x00000015) {
      $smpp->enquire_link_resp(seq => $pdu->{seq});
    } elsif ($cmd == 0x00000006) {
      $smpp->unbind_resp(seq => $pdu->{seq});
      print "{\"event\":\"unbind\"}\n";
      last;
    } elsif ($cmd == 0x80000005) {
      print "{\"event\":\"deliver_sm_resp\",\"status\":$pdu->{status}}\n";
    }
  }
}
