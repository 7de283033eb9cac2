#!/usr/bin/perl
# dkimsign.pl - signs a message with Mail::DKIM (libmail-dkim-perl), an
# implementation independent of relaywarden's libopendkim.
#
#   dkimsign.pl FILE DOMAIN SELECTOR KEY.pem   prints FILE signed
#
# rsa-sha256, relaxed/relaxed, From To Subject Date Message-ID signed.
# FILE has LF line ends; Mail::DKIM reads CRLF, the output keeps LF.
use strict;
use warnings;
use Mail::DKIM::Signer;

die "usage: dkimsign.pl FILE DOMAIN SELECTOR KEY.pem\n" unless @ARGV == 4;
my ($file, $domain, $selector, $key) = @ARGV;

open(my $in, '<', $file) or die "dkimsign.pl: $file: $!\n";
binmode $in;
my $msg = do { local $/; <$in> };
close $in;
$msg =~ s/\r?\n/\n/g;

my $signer = Mail::DKIM::Signer->new(
	Algorithm => 'rsa-sha256',
	Method    => 'relaxed',
	Domain    => $domain,
	Selector  => $selector,
	KeyFile   => $key,
	Headers   => 'from:to:subject:date:message-id',
);
(my $wire = $msg) =~ s/\n/\015\012/g;
$signer->PRINT($wire);
$signer->CLOSE;

my $sig = $signer->signature->as_string;
$sig =~ s/\015\012/\n/g;
binmode STDOUT;
print $sig, "\n", $msg;
