ikd-title = Aktivasi IKD (KTP digital)
ikd-intro =
    Baik, Bapak/Ibu. Aktivasi Identitas Kependudukan Digital (IKD) dilakukan langsung di kantor dan tidak dipungut biaya.
    Melalui layanan ini Bapak/Ibu membuat jadwal kedatangan.
    Mohon bawa saat datang:
    - KTP-el
    - HP Android atau iPhone yang sudah terpasang aplikasi Identitas Kependudukan Digital
    - alamat email yang aktif dan dapat dibuka di HP tersebut
ikd-nik = Mohon ketik NIK Bapak/Ibu (16 angka). Contoh: *6409011708900001*.
    .label = NIK
ikd-nama = Mohon ketik nama lengkap Bapak/Ibu sesuai KTP-el.
    .label = Nama lengkap
ikd-email = Mohon ketik alamat email yang aktif untuk akun IKD. Contoh: *budi@gmail.com*.
    .label = Email
ikd-telepon_lain =
    Bila petugas perlu menghubungi Bapak/Ibu tentang jadwal kedatangan di nomor lain selain nomor chat ini, mohon ketik nomornya. Contoh: *0812-3456-7890*.
    Bila tidak ada, ketik *lewati*.
    .label = Nomor telepon lain
ikd-lokasi = Di mana Bapak/Ibu ingin melakukan aktivasi IKD? Mohon ketik nomor pilihan.
    .label = Tempat aktivasi
ikd-lokasi-disdukcapil = Kantor Disdukcapil Penajam Paser Utara
ikd-lokasi-mpp = Mal Pelayanan Publik (MPP) Penajam Paser Utara
ikd-tanggal =
    Kapan Bapak/Ibu ingin datang? Pilih hari kerja (Senin sampai Jumat, bukan hari libur), paling lambat 30 hari dari sekarang.
    Mohon ketik tanggal-bulan-tahun, contoh: *07-12-2026*, atau ketik *besok*.
    .label = Tanggal kedatangan
ikd-ringkasan = Mohon periksa kembali data jadwal aktivasi IKD berikut:
