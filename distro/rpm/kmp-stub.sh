#!/bin/sh
# usage: kmp-stub.sh NAME KVERREL FILELIST PREAMBLE FLAVOUR...
# The kmodtool stand-in of kmp-stub.macros (see there): prints the spec
# text of kmod-NAME for each flavour; FILELIST and PREAMBLE may be empty.
set -eu
[ $# -ge 5 ] || { echo "usage: kmp-stub.sh NAME KVERREL FILELIST PREAMBLE FLAVOUR..." >&2; exit 2; }
name=$1 kverrel=$2 filelist=$3 preamble=$4
shift 4
for flavour in "$@"; do
	variant=
	[ "$flavour" = default ] || variant=$flavour
	dash=${variant:+-$variant} dot=${variant:+.$variant}
	echo "%package -n kmod-$name$dash"
	echo "Summary: $name kernel module(s)"
	# An RPM version has at most one '-'; a Debian kernel release (for
	# rpm.sh --smoke) has two.
	echo "Provides: kernel-modules >= $(echo "$kverrel$dot" | sed 's/-/_/2g')"
	echo "Provides: $name-kmod = %{?epoch:%{epoch}:}%{version}-%{release}"
	[ -z "$preamble" ] || cat "$preamble"
	echo "%description -n kmod-$name$dash"
	echo "The $name kernel module for $kverrel$dot (sfab kit's kmodtool stand-in: not a RHEL kmod)."
	echo "%files -n kmod-$name$dash"
	if [ -n "$filelist" ]; then
		sed -e "s|%verrel|$kverrel|g" -e "s|%dotvariant|$dot|g" \
			-e "s|%dashvariant|$dash|g" -e "s|%variant|$variant|g" "$filelist"
	else
		echo "/lib/modules/$kverrel$dot/"
	fi
done
